// Generated from schema.graphql by client/scripts/codegen.ts (npm run codegen). Do not edit.
/* tslint:disable */
/* eslint-disable */
// this is an auto generated file. This will be overwritten

import * as APITypes from "./API";
type GeneratedQuery<InputType, OutputType> = string & {
  __generatedQueryInput: InputType;
  __generatedQueryOutput: OutputType;
};

export const listRooms = /* GraphQL */ `query ListRooms($limit: Int, $nextToken: String) {
  listRooms(limit: $limit, nextToken: $nextToken) {
    items {
      id
      name
      capacity
      __typename
    }
    nextToken
    __typename
  }
}
` as GeneratedQuery<APITypes.ListRoomsQueryVariables, APITypes.ListRoomsQuery>;
export const getRoom = /* GraphQL */ `query GetRoom($id: ID!) {
  getRoom(id: $id) {
    id
    name
    capacity
    bookings {
      event_id
      datetime_start
      datetime_end
      __typename
    }
    __typename
  }
}
` as GeneratedQuery<APITypes.GetRoomQueryVariables, APITypes.GetRoomQuery>;
export const listEvents = /* GraphQL */ `query ListEvents($when: EventWhen, $limit: Int, $nextToken: String) {
  listEvents(when: $when, limit: $limit, nextToken: $nextToken) {
    items {
      id
      name
      description
      event_owner
      room_id
      image_file_name
      event_datetime_start
      event_datetime_end
      event_duration
      total_tickets
      tickets_sold
      tickets_left
      tickets
      __typename
    }
    nextToken
    __typename
  }
}
` as GeneratedQuery<
  APITypes.ListEventsQueryVariables,
  APITypes.ListEventsQuery
>;
export const getEvent = /* GraphQL */ `query GetEvent($id: ID!) {
  getEvent(id: $id) {
    id
    name
    description
    event_owner
    room_id
    room {
      id
      name
      capacity
      __typename
    }
    image_file_name
    event_datetime_start
    event_datetime_end
    event_duration
    total_tickets
    tickets_sold
    tickets_left
    tickets
    __typename
  }
}
` as GeneratedQuery<APITypes.GetEventQueryVariables, APITypes.GetEventQuery>;
export const listMyEvents = /* GraphQL */ `query ListMyEvents($limit: Int, $nextToken: String) {
  listMyEvents(limit: $limit, nextToken: $nextToken) {
    items {
      id
      name
      description
      event_owner
      room_id
      image_file_name
      event_datetime_start
      event_datetime_end
      event_duration
      total_tickets
      tickets_sold
      tickets_left
      tickets
      __typename
    }
    nextToken
    __typename
  }
}
` as GeneratedQuery<
  APITypes.ListMyEventsQueryVariables,
  APITypes.ListMyEventsQuery
>;
export const listTicketHolders = /* GraphQL */ `query ListTicketHolders($event_id: ID!, $limit: Int, $nextToken: String) {
  listTicketHolders(event_id: $event_id, limit: $limit, nextToken: $nextToken) {
    items {
      event_id
      user_id
      booked_at
      __typename
    }
    nextToken
    __typename
  }
}
` as GeneratedQuery<
  APITypes.ListTicketHoldersQueryVariables,
  APITypes.ListTicketHoldersQuery
>;
export const getActivity = /* GraphQL */ `query GetActivity($id: ID!) {
  getActivity(id: $id) {
    id
    userid
    category
    type
    caloriesConsumed
    creationDateTime
    __typename
  }
}
` as GeneratedQuery<
  APITypes.GetActivityQueryVariables,
  APITypes.GetActivityQuery
>;
export const listActivities = /* GraphQL */ `query ListActivities(
  $userid: ID
  $from: AWSDateTime
  $to: AWSDateTime
  $limit: Int
  $nextToken: String
) {
  listActivities(
    userid: $userid
    from: $from
    to: $to
    limit: $limit
    nextToken: $nextToken
  ) {
    items {
      id
      userid
      category
      type
      caloriesConsumed
      creationDateTime
      __typename
    }
    nextToken
    __typename
  }
}
` as GeneratedQuery<
  APITypes.ListActivitiesQueryVariables,
  APITypes.ListActivitiesQuery
>;
export const listActivityCategories = /* GraphQL */ `query ListActivityCategories {
  listActivityCategories {
    category
    type
    __typename
  }
}
` as GeneratedQuery<
  APITypes.ListActivityCategoriesQueryVariables,
  APITypes.ListActivityCategoriesQuery
>;
export const getUser = /* GraphQL */ `query GetUser($id: ID) {
  getUser(id: $id) {
    id
    username
    height
    weight
    caloriesTargetPerDay
    bmi
    __typename
  }
}
` as GeneratedQuery<APITypes.GetUserQueryVariables, APITypes.GetUserQuery>;
export const getUserAggregate = /* GraphQL */ `query GetUserAggregate($date: AWSDate!, $userid: ID) {
  getUserAggregate(date: $date, userid: $userid) {
    userid
    date
    caloriesConsumed
    caloriesBurned
    __typename
  }
}
` as GeneratedQuery<
  APITypes.GetUserAggregateQueryVariables,
  APITypes.GetUserAggregateQuery
>;
export const listUserAggregates = /* GraphQL */ `query ListUserAggregates(
  $from: AWSDate!
  $to: AWSDate!
  $userid: ID
  $limit: Int
  $nextToken: String
) {
  listUserAggregates(
    from: $from
    to: $to
    userid: $userid
    limit: $limit
    nextToken: $nextToken
  ) {
    items {
      userid
      date
      caloriesConsumed
      caloriesBurned
      __typename
    }
    nextToken
    __typename
  }
}
` as GeneratedQuery<
  APITypes.ListUserAggregatesQueryVariables,
  APITypes.ListUserAggregatesQuery
>;
